from django.contrib import admin

from boards.models import AgendaItem, AgendaPack, Board, Council, Meeting, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ["name", "clerk", "default_venue", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["board", "starts_at", "venue", "status"]
    list_filter = ["board", "status"]
    date_hierarchy = "starts_at"


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "kind", "position", "part", "is_late"]
    list_filter = ["kind", "is_late"]
    list_select_related = ["meeting__board", "report"]
    raw_id_fields = ["report"]

    @admin.display(description="Part")
    def part(self, item):
        # Read from the report for a report's item: the agenda item keeps no copy of it.
        return f"Part 2 ({item.exempt_paragraphs_display or 'no paragraph named'})" if item.is_exempt else "Part 1"


@admin.register(AgendaPack)
class AgendaPackAdmin(admin.ModelAdmin):
    list_display = ["meeting", "edition", "state", "progress", "page_count", "built_at"]
    readonly_fields = ["content_key", "wanted_key", "page_count", "size", "built_at", "requested_at", "error"]


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    """The council's branding: one row (until the administration screens exist, this is where it is edited)."""

    fieldsets = [
        (None, {"fields": ["name", "address"]}),
        ("Logo", {"fields": ["logo", "logo_alt"]}),
        (
            "Democratic services contact",
            {"fields": ["democratic_services_name", "democratic_services_phone", "democratic_services_email"]},
        ),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not Council.objects.exists()

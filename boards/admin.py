from django.contrib import admin

from boards.models import Board, Meeting, Membership


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

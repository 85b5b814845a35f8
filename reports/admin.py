from django.contrib import admin
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from reports import services
from reports.models import (
    Appendix,
    ConsulteeKind,
    CorePurpose,
    CorePurposeContribution,
    Directorate,
    Implication,
    ImplicationType,
    Portfolio,
    Post,
    Recommendation,
    Report,
    ReportEvent,
    Section,
    SignOff,
    Ward,
)
from reports.searchindex import reindex_report


@admin.register(Ward, Portfolio, Directorate, ImplicationType, CorePurpose)
class ReferenceItemAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "directorate", "holder", "is_active"]
    autocomplete_fields = ["holder"]
    search_fields = ["title"]


@admin.register(ConsulteeKind)
class ConsulteeKindAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "officer_title", "position", "is_active"]
    filter_horizontal = ["officers"]


class RecommendationInline(admin.TabularInline):
    model = Recommendation
    extra = 0


class ImplicationInline(admin.TabularInline):
    model = Implication
    extra = 0


class CorePurposeInline(admin.TabularInline):
    model = CorePurposeContribution
    extra = 0


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0


class AppendixInline(admin.TabularInline):
    model = Appendix
    extra = 0
    fields = ["position", "title", "file", "page_count", "disarmed_version", "problem"]
    readonly_fields = ["file", "page_count", "disarmed_version", "problem"]

    def has_add_permission(self, request, obj=None):
        return False  # files come in through the editor's upload, which checks and rebuilds them


class SignOffInline(admin.TabularInline):
    model = SignOff
    extra = 0
    fields = ["reference", "kind", "signed_by", "signed_at", "voided_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # references are issued by the workflow, never typed


class EventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    fields = ["at", "actor", "action", "from_status", "to_status", "comment"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    list_display = ["subject", "board", "status", "author", "updated_at"]
    list_filter = ["status", "board", "is_exempt", "is_key_decision"]
    search_fields = ["subject", "summary"]
    readonly_fields = ["status", "version", "created_at", "updated_at"]
    filter_horizontal = ["wards"]
    inlines = [
        RecommendationInline,
        ImplicationInline,
        CorePurposeInline,
        SectionInline,
        AppendixInline,
        SignOffInline,
        EventInline,
    ]

    def has_change_permission(self, request, obj=None):
        # An approved report is locked here as in the editor: its approval is withdrawn first, on the record.
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # An edit in the admin is a new version too, so editors holding the old one are warned.
        exemption_before = services.exemption_of(Report.objects.get(pk=obj.pk)) if change else None
        if change:
            obj.version += 1
            if form.has_changed() and obj.active_sign_offs():
                # The same rule as the editor: changing a signed-off report voids its sign-offs.
                services.void_sign_offs(obj, reason="Report edited in the admin after sign-off", user=request.user)
                if obj.status == Report.Status.SIGNED_OFF:
                    obj.status = Report.Status.CONSULTATION
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)
        if change:
            # The same rule as the editor: a placed report's new exemption reaches its agenda and the clerk.
            services.note_exemption_change(obj, exemption_before, user=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The subject and the inlines (recommendations, sections) are saved now: the search document follows,
        # in the admin's transaction, as it does after the editor's save.
        reindex_report(form.instance)

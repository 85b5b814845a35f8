from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from members.forms import CouncillorAdminForm
from members.models import Councillor, Party


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "colour"]
    search_fields = ["name", "short_name"]


@admin.register(Councillor)
class CouncillorAdmin(SimpleHistoryAdmin):
    form = CouncillorAdminForm
    list_display = ["name", "party", "took_office_on"]
    list_filter = ["party", "wards"]
    list_select_related = ["user", "party"]
    search_fields = ["user__first_name", "user__last_name", "user__username"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["wards"]

    @admin.display(description="Name", ordering="user__last_name")
    def name(self, councillor):
        return councillor.name

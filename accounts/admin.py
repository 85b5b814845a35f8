from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import User


@admin.register(User)
class CouncilUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "job_title", "is_author", "is_democratic_services"]
    list_filter = ["is_author", "is_democratic_services", "is_superuser", "is_active"]
    fieldsets = UserAdmin.fieldsets + (
        ("Council", {"fields": ["job_title", "phone", "is_author", "is_democratic_services"]}),
    )

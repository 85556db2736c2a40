"""Teams: Django groups with their shops and members, edited on one page.

A team's members see, sync and end only the team's shops (shops.services.access); its
permissions say what they may do there. Teams are managed only by staff who see every shop:
whoever edits a team chooses its shops, members and permissions, so a team member allowed to
edit groups could otherwise give their team another team's shop (issue 16).
"""

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django.db.models import ForeignObjectRel
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shops.models import Shop
from shops.services.access import sees_all_shops


class TeamForm(forms.ModelForm):
    shops = forms.ModelMultipleChoiceField(
        Shop.objects.order_by("name"),
        required=False,
        label=_("shops"),
        widget=FilteredSelectMultiple(_("shops"), is_stacked=False),
        help_text=_("The team's members see and act on these shops only."),
    )
    members = forms.ModelMultipleChoiceField(
        get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        label=_("members"),
        widget=FilteredSelectMultiple(_("members"), is_stacked=False),
    )

    class Meta:
        model = Group
        fields = ["name", "permissions"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["shops"].initial = self.instance.shops.all()
            self.fields["members"].initial = self.instance.user_set.all()
        if "permissions" in self.fields:
            self.fields["permissions"].label_from_instance = permission_label


DEFAULT_PERMISSIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission):
    """ "App | model | Can ..." in the reader's language: Django stores permission names in
    English, so the default ones are worded again from the model's name and the others looked
    up in the catalogue (their names are marked with gettext_noop where they are declared)."""
    model = permission.content_type.model_class()
    if model is None:
        return str(permission)
    opts = model._meta
    action = permission.codename.split("_", 1)[0]
    if action in DEFAULT_PERMISSIONS and permission.codename == f"{action}_{opts.model_name}":
        name = DEFAULT_PERMISSIONS[action] % {"model": opts.verbose_name}
    else:
        name = gettext(permission.name)
    app = gettext(str(apps.get_app_config(opts.app_label).verbose_name))
    return f"{app} | {opts.verbose_name} | {name}"


class TeamAdmin(GroupAdmin):
    form = TeamForm
    list_display = ["name", "shop_count", "member_count"]
    fieldsets = [(None, {"fields": ["name", "shops", "members", "permissions"]})]

    def has_module_permission(self, request):
        return super().has_module_permission(request) and sees_all_shops(request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and sees_all_shops(request.user)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and sees_all_shops(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and sees_all_shops(request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and sees_all_shops(request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.shops.set(form.cleaned_data["shops"])
        form.instance.user_set.set(form.cleaned_data["members"])

    @admin.display(description=_("shops"))
    def shop_count(self, obj):
        return obj.shops.count()

    @admin.display(description=_("members"))
    def member_count(self, obj):
        return obj.user_set.count()


class AutocompleteView(AutocompleteJsonView):
    """Django's admin autocomplete, answering for a reverse relation too.

    The team's shops are `Shop.teams` seen from the team: `Group` has no `shops` field of its
    own, only the reverse relation, and Django's view asks every field for
    `get_limit_choices_to()`, which a reverse relation lacks, so
    `/admin/autocomplete/?app_label=auth&model_name=group&field_name=shops` answered 500. The
    answer stays the target admin's, as Django does it for a forward field: its view
    permission (403 without it) and its queryset (the shop admin's: only the shops the user may
    see, shops.services.access), searched with its search fields.
    """

    def get_queryset(self):
        if not isinstance(self.source_field, ForeignObjectRel):
            return super().get_queryset()
        queryset = self.model_admin.get_queryset(self.request)
        queryset, distinct = self.model_admin.get_search_results(self.request, queryset, self.term)
        return queryset.distinct() if distinct else queryset


def autocomplete_view(request):
    return AutocompleteView.as_view(admin_site=admin.site)(request)


admin.site.unregister(Group)
admin.site.register(Group, TeamAdmin)
# The site builds its URLs after every admin module is loaded, so this view answers
# /admin/autocomplete/ (instead of a custom AdminSite just for this).
admin.site.autocomplete_view = autocomplete_view

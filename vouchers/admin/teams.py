"""Teams: Django groups with their shops and members, edited on one page.

A team's members see, sync and end only the team's shops (vouchers.services.access); its
permissions say what they may do there.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group

from vouchers.models import Shop


class TeamForm(forms.ModelForm):
    shops = forms.ModelMultipleChoiceField(
        Shop.objects.order_by("name"),
        required=False,
        widget=FilteredSelectMultiple("shops", is_stacked=False),
        help_text="The team's members see and act on these shops only.",
    )
    members = forms.ModelMultipleChoiceField(
        get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        widget=FilteredSelectMultiple("members", is_stacked=False),
    )

    class Meta:
        model = Group
        fields = ["name", "permissions"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["shops"].initial = self.instance.shops.all()
            self.fields["members"].initial = self.instance.user_set.all()


class TeamAdmin(GroupAdmin):
    form = TeamForm
    list_display = ["name", "shop_count", "member_count"]
    fieldsets = [(None, {"fields": ["name", "shops", "members", "permissions"]})]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.shops.set(form.cleaned_data["shops"])
        form.instance.user_set.set(form.cleaned_data["members"])

    @admin.display(description="shops")
    def shop_count(self, obj):
        return obj.shops.count()

    @admin.display(description="members")
    def member_count(self, obj):
        return obj.user_set.count()


admin.site.unregister(Group)
admin.site.register(Group, TeamAdmin)

"""The shared form template (core/_form.html): a group of checkboxes or radio buttons is a
fieldset named by its legend, so a screen reader announces what the choices are for."""

from django import forms
from django.template.loader import render_to_string


class Places(forms.Form):
    places = forms.MultipleChoiceField(
        label="Show on",
        choices=[("home", "Home page"), ("events", "Events")],
        widget=forms.CheckboxSelectMultiple,
        help_text="Where the invitation appears.",
    )
    kind = forms.ChoiceField(
        label="Kind", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )
    agree = forms.BooleanField(label="I agree", required=False)
    name = forms.CharField(label="Name")


def test_choice_groups_are_fieldsets_with_a_legend_and_single_fields_keep_their_label():
    html = render_to_string("core/_form.html", {"form": Places()})
    assert "<legend>Show on</legend>" in html and "<legend>Kind</legend>" in html
    assert 'aria-describedby="id_places_helptext"' in html
    assert html.count("<fieldset") == 2
    assert '<label for="id_agree">I agree' in html
    assert '<label for="id_name">Name:</label>' in html

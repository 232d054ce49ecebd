"""A service's refusal lands beside the field it names; a refused post is a 400."""

from django import forms

from commonpot.errors import DomainError
from commonpot.forms import form_status, show_error, show_line_errors


class Line(forms.Form):
    quantity = forms.CharField()
    unit = forms.CharField()


def test_a_domain_error_goes_beside_its_field_or_above_the_form():
    form = Line({"quantity": "3", "unit": "kg"})
    assert form.is_valid()
    show_error(form, DomainError("Only 2 kg left.", field="quantity"))
    show_error(form, DomainError("Reload the page.", field="no_such_field"))
    assert form.errors["quantity"] == ["Only 2 kg left."]
    assert form.non_field_errors() == ["Reload the page."]


def test_a_validation_error_keeps_its_field_names():
    form = Line({"quantity": "3", "unit": "kg"})
    form.is_valid()
    show_error(form, forms.ValidationError({"unit": "Not a unit we know.", "other": "Odd."}))
    assert form.errors["unit"] == ["Not a unit we know."]
    assert form.non_field_errors() == ["Odd."]


def test_line_errors_land_on_their_own_line():
    lines = [Line({"quantity": "1", "unit": "kg"}), Line({"quantity": "2", "unit": "kg"})]
    for line in lines:
        line.is_valid()
    show_line_errors(lines, [(1, "quantity", "Far too much.")])
    assert not lines[0].errors
    assert lines[1].errors["quantity"] == ["Far too much."]


def test_a_page_with_a_refused_form_answers_400_and_an_unsent_one_200():
    formset = forms.formset_factory(Line)({"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0"})
    assert form_status(Line(), None) == 200
    assert form_status(Line({"quantity": "1", "unit": "kg"})) == 200
    assert form_status(Line({"quantity": ""})) == 400
    assert form_status(formset) == 200
    bad = forms.formset_factory(Line)(
        {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-quantity": "1"}
    )
    assert form_status(Line(), bad) == 400


def test_a_refused_form_lists_its_problems_first_linking_to_each_field():
    from django.template.loader import render_to_string

    form = Line({"quantity": "", "unit": "kg"})
    form.is_valid()
    show_error(form, DomainError("Reload the page."))
    html = render_to_string("commonpot/_form.html", {"form": form})
    summary = html.split('class="form-errors error-summary"')[1].split("</div>")[0]
    assert 'tabindex="-1" autofocus' in summary
    assert "There are problems" in summary
    assert "<li>Reload the page.</li>" in summary
    assert '<a href="#id_quantity">Quantity: This field is required.</a>' in summary
    assert html.index("error-summary") < html.index('id="id_quantity"')


def test_the_summary_lists_the_problems_of_each_line_by_number():
    from django.template.loader import render_to_string

    lines = forms.formset_factory(Line)(
        {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "0",
            "form-0-quantity": "1",
            "form-0-unit": "kg",
            "form-1-quantity": "2",
        }
    )
    lines.is_valid()
    html = render_to_string("commonpot/_form.html", {"form": Line(), "formset": lines})
    assert "There is a problem" in html
    assert '<a href="#id_form-1-unit">Line 2, unit: This field is required.</a>' in html


def test_a_form_without_problems_has_no_summary():
    from django.template.loader import render_to_string

    assert "error-summary" not in render_to_string("commonpot/_form.html", {"form": Line()})

"""Leads' pages for recipes: the network's recipes, one recipe scaled and checked
against this site's stock, writing, changing and copying, and "What can we cook?".

Every recipe in the network can be read and cooked by every site; only its own
site changes it (another site copies it to adapt it).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commonpot.errors import DomainError
from commonpot.forms import form_status, show_error, show_line_errors
from commonpot.htmx import render_page
from commonpot.models import Site
from commonpot.params import int_param
from commonpot.permissions import lead_required
from commonpot.tables import cards_on_phones, paginate
from kitchen import services
from kitchen.availability import recipe_stock, what_can_we_cook
from kitchen.filters import RecipeFilter
from kitchen.forms import (
    IngredientFormSet,
    RecipeForm,
    SuggestForm,
    ingredient_initial,
)
from kitchen.models import Recipe, allergen_labels
from kitchen.services import IngredientLine
from kitchen.tables import RecipeTable
from pantry.codes import ALLERGEN_BITS
from pantry.services import LineErrors

PER_PAGE = 50
EXTRA_LINES = 3


def _recipe(pk: int) -> Recipe:
    return get_object_or_404(Recipe.objects.with_ingredients(), pk=pk)


def _own(recipe: Recipe, site: Site) -> None:
    if recipe.site_id != site.pk:
        raise PermissionDenied(
            _("This recipe belongs to %(owner)s. Copy it to %(site)s to adapt it.")
            % {"owner": recipe.site.name, "site": site.name}
        )


@lead_required
@require_GET
def recipes(request: HttpRequest, site: Site) -> HttpResponse:
    """Every active recipe of the network (this site's first), filtered."""
    queryset = Recipe.objects.active().for_site_first(site).with_ingredients()
    filters = RecipeFilter(request.GET or None, queryset=queryset, site=site)
    table = cards_on_phones(RecipeTable(filters.qs, site=site))
    paginate(request, table, PER_PAGE)
    return render_page(
        request,
        "kitchen/recipes.html",
        {"site": site, "filter": filters, "table": table},
        partial="results",
        target="recipe-results",
    )


@lead_required
@require_GET
def recipe_detail(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    """A recipe scaled to ?servings=, against what this site has today."""
    recipe = _recipe(pk)
    form = SuggestForm(request.GET or None)
    servings = recipe.yield_servings
    if form.is_bound and form.is_valid() and form.cleaned_data["servings"]:
        servings = form.cleaned_data["servings"]
    today = site.today()
    context = {
        "site": site,
        "recipe": recipe,
        "form": form,
        "servings": servings,
        "stock": recipe_stock(recipe, site, servings, today),
        "today": today,
        "own": recipe.site_id == site.pk,
        "sources": _allergen_sources(recipe),
    }
    return render_page(
        request, "kitchen/recipe.html", context, partial="scaled", status=form_status(form)
    )


def _allergen_sources(recipe: Recipe) -> list[tuple[str, list[str]]]:
    """Each allergen of the recipe with the ingredients it comes from."""
    sources = []
    for bit in ALLERGEN_BITS.values():
        names = [i.item.name for i in recipe.ingredients.all() if i.item.allergen_mask & bit]
        if names:
            sources.append((allergen_labels(bit)[0], names))
    return sources


# --- Writing and changing ----------------------------------------------------------


def _lines(formset) -> tuple[list[IngredientLine], list]:
    """The filled-in ingredient forms, and the forms they came from (for errors)."""
    used = [f for f in formset.forms if f.is_filled]
    lines = [
        IngredientLine(
            item=f.cleaned_data["item"],
            quantity=f.cleaned_data["quantity"],
            unit=f.cleaned_data["unit"],
            note=f.cleaned_data.get("note", ""),
        )
        for f in used
    ]
    return lines, used


def _recipe_form(request: HttpRequest, site: Site, recipe: Recipe | None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    initial = (
        {
            "name": recipe.name,
            "yield_servings": recipe.yield_servings,
            "method": recipe.method,
            "dietary": recipe.dietary,
        }
        if recipe
        else {"yield_servings": 10}
    )
    form = RecipeForm(data, initial=initial)
    lines = ingredient_initial(recipe) if recipe else []
    formset = IngredientFormSet(
        data,
        prefix="ingredients",
        initial=lines + [{}] * EXTRA_LINES,
        form_kwargs={"site": site},
    )
    adding = data is not None and "add_line" in data
    if adding:
        # Without JavaScript "Add an ingredient" posts the form: show it again, longer.
        typed = [{name: f[name].value() for name in f.fields} for f in formset.forms]
        formset = IngredientFormSet(
            initial=typed + [{}], prefix="ingredients", form_kwargs={"site": site}
        )
        form = RecipeForm(initial={name: form[name].value() for name in form.fields})
    elif data is not None and form.is_valid() and formset.is_valid():
        ingredients, used = _lines(formset)
        fields = {
            "name": form.cleaned_data["name"],
            "yield_servings": form.cleaned_data["yield_servings"],
            "ingredients": ingredients,
            "method": form.cleaned_data["method"],
            "dietary": form.cleaned_data["dietary"],
        }
        try:
            if recipe is None:
                saved = services.create_recipe(
                    site=site, by=request.user, token=form.cleaned_data["token"], **fields
                )
            else:
                saved = services.update_recipe(recipe, site=site, **fields)
        except LineErrors as e:
            show_line_errors(used, e.errors)
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(request, _("Saved: %(recipe)s.") % {"recipe": saved.name})
            return redirect("kitchen:recipe", slug=site.slug, pk=saved.pk)
    bad = data is not None and not adding and (form.errors or formset.total_error_count())
    return TemplateResponse(
        request,
        "kitchen/recipe_form.html",
        {"site": site, "form": form, "formset": formset, "recipe": recipe},
        status=400 if bad else 200,
    )


@lead_required
@require_http_methods(["GET", "POST"])
def recipe_create(request: HttpRequest, site: Site) -> HttpResponse:
    return _recipe_form(request, site, None)


@lead_required
@require_http_methods(["GET", "POST"])
def recipe_edit(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    recipe = _recipe(pk)
    _own(recipe, site)
    return _recipe_form(request, site, recipe)


@lead_required
@require_GET
def recipe_line(request: HttpRequest, site: Site) -> HttpResponse:
    """One more empty ingredient line, for the "Add an ingredient" button (htmx)."""
    total = int_param(
        request.GET, "ingredients-TOTAL_FORMS", minimum=0, maximum=59, default=0, clamp=True
    )
    formset = IngredientFormSet(prefix="ingredients", form_kwargs={"site": site})
    form = formset._construct_form(total, site=site)
    return TemplateResponse(
        request,
        "kitchen/_ingredient_line.html",
        {"form": form, "number": total + 1, "total": total + 1, "oob": True, "site": site},
    )


@lead_required
@require_POST
def recipe_copy(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    recipe = _recipe(pk)
    try:
        copy = services.copy_recipe(recipe, to=site, by=request.user)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("kitchen:recipe", slug=site.slug, pk=pk)
    messages.success(
        request,
        _("Copied to %(site)s as %(name)s: adapt it here.")
        % {"site": site.name, "name": repr(copy.name)},
    )
    return redirect("kitchen:recipe_edit", slug=site.slug, pk=copy.pk)


@lead_required
@require_POST
def recipe_retire(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    recipe = _recipe(pk)
    _own(recipe, site)
    active = request.POST.get("active") == "1"
    try:
        services.set_recipe_active(recipe, site=site, active=active)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        message = _("%(recipe)s is back in the lists.") if active else _("%(recipe)s is retired.")
        messages.success(request, message % {"recipe": recipe.name})
    return redirect("kitchen:recipe", slug=site.slug, pk=pk)


# --- What can we cook? -------------------------------------------------------------


@lead_required
@require_GET
def suggestions(request: HttpRequest, site: Site) -> HttpResponse:
    """Recipes ranked by what this site can make from its stock, food that must be
    eaten soonest first."""
    form = SuggestForm(request.GET or None)
    target = form.cleaned_data["servings"] if form.is_bound and form.is_valid() else None
    today = site.today()
    ranked = what_can_we_cook(
        site, Recipe.objects.active().with_ingredients(), today=today, target=target
    )
    context = {"site": site, "form": form, "ranked": ranked, "target": target, "today": today}
    return render_page(
        request, "kitchen/suggestions.html", context, partial="ranked", status=form_status(form)
    )

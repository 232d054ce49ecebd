from django.urls import path

from kitchen import views, views_recipes

site = "sites/<slug:slug>/"
meal = f"{site}meals/<int:pk>/"
recipe = f"{site}recipes/<int:pk>/"

app_name = "kitchen"

urlpatterns = [
    path(f"{site}meals/", views.week, name="week"),
    path(f"{site}meals/new/", views.meal_create, name="meal_create"),
    path(meal, views.meal_detail, name="meal"),
    path(f"{meal}edit/", views.meal_edit, name="meal_edit"),
    path(f"{meal}hold/", views.meal_hold, name="meal_hold"),
    path(f"{meal}release/", views.meal_release, name="meal_release"),
    path(f"{meal}cancel/", views.meal_cancel, name="meal_cancel"),
    path(f"{meal}cook/", views.meal_cook, name="meal_cook"),
    path(f"{meal}cooling/", views.meal_cooling, name="meal_cooling"),
    path(f"{meal}labels.pdf", views.meal_labels, name="meal_labels"),
    path(f"{site}recipes/", views_recipes.recipes, name="recipes"),
    path(f"{site}recipes/new/", views_recipes.recipe_create, name="recipe_create"),
    path(f"{site}recipes/line/", views_recipes.recipe_line, name="recipe_line"),
    path(recipe, views_recipes.recipe_detail, name="recipe"),
    path(f"{recipe}edit/", views_recipes.recipe_edit, name="recipe_edit"),
    path(f"{recipe}copy/", views_recipes.recipe_copy, name="recipe_copy"),
    path(f"{recipe}retire/", views_recipes.recipe_retire, name="recipe_retire"),
    path(f"{site}what-can-we-cook/", views_recipes.suggestions, name="suggestions"),
]

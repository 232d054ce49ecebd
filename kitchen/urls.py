from django.urls import path

from kitchen import views, views_recipes

site = "sites/<slug:slug>/"
meal = f"{site}meals/<int:pk>/"
recipe = f"{site}recipes/<int:pk>/"

urlpatterns = [
    path(f"{site}meals/", views.week, name="kitchen_week"),
    path(f"{site}meals/new/", views.meal_create, name="kitchen_meal_create"),
    path(meal, views.meal_detail, name="kitchen_meal"),
    path(f"{meal}edit/", views.meal_edit, name="kitchen_meal_edit"),
    path(f"{meal}hold/", views.meal_hold, name="kitchen_meal_hold"),
    path(f"{meal}release/", views.meal_release, name="kitchen_meal_release"),
    path(f"{meal}cancel/", views.meal_cancel, name="kitchen_meal_cancel"),
    path(f"{meal}cook/", views.meal_cook, name="kitchen_meal_cook"),
    path(f"{meal}labels.pdf", views.meal_labels, name="kitchen_meal_labels"),
    path(f"{site}recipes/", views_recipes.recipes, name="kitchen_recipes"),
    path(f"{site}recipes/new/", views_recipes.recipe_create, name="kitchen_recipe_create"),
    path(f"{site}recipes/line/", views_recipes.recipe_line, name="kitchen_recipe_line"),
    path(recipe, views_recipes.recipe_detail, name="kitchen_recipe"),
    path(f"{recipe}edit/", views_recipes.recipe_edit, name="kitchen_recipe_edit"),
    path(f"{recipe}copy/", views_recipes.recipe_copy, name="kitchen_recipe_copy"),
    path(f"{recipe}retire/", views_recipes.recipe_retire, name="kitchen_recipe_retire"),
    path(f"{site}what-can-we-cook/", views_recipes.suggestions, name="kitchen_suggestions"),
]

from django.urls import path

from . import views

app_name = "plates"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("search/", views.search, name="search"),
    path("search/export/", views.export, name="export"),
    path("reads/<int:pk>/crop.jpg", views.crop, name="crop"),
    path("hits/<int:pk>/review/", views.review_hit, name="review-hit"),
    path("hits/<int:pk>/claim/", views.claim_hit, name="claim-hit"),
    path("hits/<int:pk>/outcome/", views.hit_outcome, name="hit-outcome"),
    path("transparency/", views.transparency_page, name="transparency"),
]

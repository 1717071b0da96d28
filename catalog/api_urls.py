from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("titles", api.TitleViewSet, basename="title")

urlpatterns = [path("taxonomy/", api.TaxonomyView.as_view(), name="api-taxonomy"), *router.urls]

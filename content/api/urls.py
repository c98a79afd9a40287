from rest_framework.routers import SimpleRouter

from content.api import views

router = SimpleRouter()
router.register("posts", views.PostViewSet, basename="api-post")
router.register("lexicon-entries", views.LexiconEntryViewSet, basename="api-lexicon-entry")

urlpatterns = router.urls

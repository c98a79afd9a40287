from rest_framework.routers import SimpleRouter

from audits.ranking.api import views

router = SimpleRouter()
router.register("rankings", views.RankingViewSet, basename="api-ranking")

urlpatterns = router.urls

from django.urls import path

from content import views
from registry.choices import ImportKind
from registry.views import imports

# Posts, the lexicons and the sites posts may link to
urlpatterns = [
    path("media-accounts/<int:pk>/posts/", views.post_list, name="post_list"),
    path("media-accounts/<int:pk>/posts/new/", views.post_create, name="post_create"),
    path("posts/<int:pk>/", views.post_detail, name="post_detail"),
    # Posts from a sheet: the registry's one import flow (registry/views/imports.py).
    path("posts/import/", imports.import_upload, {"kind": ImportKind.POSTS}, name="posts_import"),
    path(
        "posts/import/confirm/",
        imports.import_confirm,
        {"kind": ImportKind.POSTS},
        name="posts_import_confirm",
    ),
    path("posts/import/template.xlsx", views.posts_import_template, name="posts_import_template"),
    path("lexicons/", views.lexicon_list, name="lexicon_list"),
    path("lexicons/new/", views.lexicon_entry_create, name="lexicon_entry_create"),
    path("lexicons/<int:pk>/edit/", views.lexicon_entry_update, name="lexicon_entry_update"),
    path("lexicons/<int:pk>/delete/", views.lexicon_entry_delete, name="lexicon_entry_delete"),
    path("lexicons/import/", views.lexicon_import, name="lexicon_import"),
    path("lexicons/lexicons.xlsx", views.lexicon_export, name="lexicon_export"),
    path("lexicons/allowed-sites/", views.allowed_domain_add, name="allowed_domain_add"),
    path(
        "lexicons/allowed-sites/<int:pk>/remove/", views.allowed_domain_remove, name="allowed_domain_remove"
    ),
]

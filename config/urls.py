from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from api.urls import api

admin.site.site_header = "Pustaka"
admin.site.site_title = "Pustaka"

urlpatterns = [
    path("", include("core.urls")),
    path("account/library/", include("circulation.account_urls")),
    path("account/", include("accounts.urls")),
    path("join/", include("patrons.registration_urls")),
    path("visit/", include("visits.urls")),
    path("", include("spaces.urls")),
    path("", include("events.urls")),
    path("", include("conversations.urls")),
    path("", include("participation.urls")),
    path("", include("surveys.urls")),
    path("staff/members/", include("patrons.urls")),
    path("staff/desk/", include("circulation.urls")),
    path("staff/notices/", include("circulation.notice_urls")),
    path("staff/stocktake/", include("inventory.urls")),
    path("staff/sip2/", include("sip2.urls")),
    path("catalogue/", include("catalog.opac.urls")),
    path("staff/catalogue/", include("catalog.cataloguing.urls")),
    path("staff/catalogue/import/", include("catalog.importing.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.PUSTAKA_SERVE_MEDIA:
    # The embedded install has no separate web server for uploads (logos, covers, photos).
    urlpatterns.append(
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    )

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"

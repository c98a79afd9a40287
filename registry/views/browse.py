from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from registry.selectors import registry_overview


@login_required
def home(request):
    return render(request, "registry/home.html", {"overview": registry_overview(request.user)})

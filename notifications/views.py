"""The in-app list: a citizen's notifications, or a member of staff's alerts, newest first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services

PAGE_SIZE = 20


@login_required
def inbox(request):
    page = Paginator(selectors.notifications_for(request.user), PAGE_SIZE).get_page(request.GET.get("trang"))
    items = list(page.object_list)
    unread_ids = [n.pk for n in items if n.read_at is None]
    # Seen is read: the page shows which were new, then marks them so the header count drops.
    services.notifications_mark_read(user=request.user, ids=unread_ids)
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "items": items, "unread_ids": set(unread_ids)},
    )


@login_required
@require_POST
def mark_all_read(request):
    services.notifications_mark_read(user=request.user)
    return redirect("notifications:inbox")

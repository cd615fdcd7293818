from .services import LARGE_TEXT_COOKIE


def display_preferences(request):
    """Large text follows the account when signed in, else a long-lived cookie."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        large = user.large_text
    else:
        large = request.COOKIES.get(LARGE_TEXT_COOKIE) == "1"
    return {"large_text": large}

LARGE_TEXT_COOKIE = "motcua_large_text"


def text_size_set(*, user, large: bool) -> None:
    """Remember a signed-in person's text size on their account."""
    if user.is_authenticated and user.large_text != large:
        user.large_text = large
        user.save(update_fields=["large_text"])

from django.middleware.locale import LocaleMiddleware


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the person chose English with the language switcher (a cookie).

    The browser's Accept-Language is ignored on purpose: many phones and the waiting-room
    screens in Vietnam are set to English, while the people in front of them read Vietnamese.
    """

    def process_request(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)

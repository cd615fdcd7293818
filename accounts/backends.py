"""Sign-in throttling (django-axes) for every sign-in that comes from a request."""

from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for sign-ins made over HTTP (the login page, the token endpoint).

    A call without a request (a management command, the test client's `login()`) is nobody
    guessing passwords over the network, so it is left to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

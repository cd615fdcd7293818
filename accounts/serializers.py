from rest_framework import serializers

from .models import ApiToken


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, help_text="Citizen ID number or staff user name")
    password = serializers.CharField(max_length=128, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=6,
        required=False,
        allow_blank=True,
        help_text="Staff: the 6-digit code of the authenticator",
    )
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="e.g. the phone")


class TokenIssuedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField(help_text="Shown once: store it, it cannot be read back.")
    kind = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)


class TokenSerializer(serializers.ModelSerializer):
    centre = serializers.CharField(source="centre.code", allow_null=True, default=None)

    class Meta:
        model = ApiToken
        fields = ["id", "kind", "name", "prefix", "centre", "created_at", "expires_at", "last_used_at"]


class KioskTokenRequestSerializer(serializers.Serializer):
    centre = serializers.CharField(max_length=30, help_text="The centre's code")
    name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="e.g. Ki-ốt sảnh A"
    )


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField(allow_blank=True)
    citizen_id = serializers.CharField(allow_null=True)
    roles = serializers.ListField(child=serializers.CharField())
    two_factor = serializers.BooleanField(help_text="Signed in with a second factor (staff)")

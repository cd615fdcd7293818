"""What the queue API answers (for the OpenAPI schema; the views build the JSON themselves)."""

from rest_framework import serializers


class CentreRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ServiceWaitSerializer(serializers.Serializer):
    letter = serializers.CharField()
    name = serializers.CharField()
    procedure_codes = serializers.ListField(child=serializers.CharField())
    waiting = serializers.IntegerField()
    estimated_wait_minutes = serializers.IntegerField()


class CentreServicesSerializer(serializers.Serializer):
    centre = CentreRefSerializer()
    open = serializers.BooleanField()
    opens_at = serializers.DateTimeField(allow_null=True)
    services = ServiceWaitSerializer(many=True)


class TicketSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField()
    service = serializers.CharField(allow_null=True, help_text="null once transferred to another service")
    status = serializers.CharField()
    issued_at = serializers.DateTimeField()
    counter = serializers.IntegerField(allow_null=True)
    url = serializers.URLField()


class TicketStatusSerializer(TicketSerializer):
    people_ahead = serializers.IntegerField()
    estimated_wait_minutes = serializers.IntegerField()
    near_front = serializers.BooleanField()


class SlotSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    free = serializers.IntegerField()


class FreeSlotsSerializer(serializers.Serializer):
    service = serializers.CharField()
    slots = SlotSerializer(many=True)


class AppointmentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField()
    service = serializers.CharField()
    starts_at = serializers.DateTimeField()
    status = serializers.CharField()
    url = serializers.URLField()

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.forms import lockout_message
from accounts.services import sign_in_is_locked
from config.proxies import client_ip


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(required=False, max_length=100, default="api")
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        ip = client_ip(self.context["request"])
        if sign_in_is_locked(attrs["username"], ip=ip):
            raise serializers.ValidationError(lockout_message(), code="locked_out")
        user = authenticate(self.context["request"], username=attrs["username"], password=attrs["password"])
        if user is None:
            if sign_in_is_locked(attrs["username"], ip=ip):
                raise serializers.ValidationError(lockout_message(), code="locked_out")
            # The same message whether or not the user exists.
            raise serializers.ValidationError(
                _("Unable to sign in with the given username and password."), code="authorization"
            )
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True, allow_null=True)

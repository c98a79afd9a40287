from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import TokenRequestSerializer, TokenSerializer
from accounts.services import api_token_create, sign_in_failures_clear
from config.api import ERROR, ErrorSerializer
from config.proxies import client_ip


class ObtainTokenView(APIView):
    """Exchange a username and password for an API token (shown once)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_scope = "sign_in"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            201: TokenSerializer,
            400: ERROR,
            429: OpenApiResponse(ErrorSerializer, description="Too many sign-ins from this address; wait."),
        },
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        # A right password here is a sign-in as much as on the form (whose signal clears them too).
        sign_in_failures_clear(username=user.get_username(), ip=client_ip(request))
        token, key = api_token_create(
            actor=user,
            user=user,
            name=serializer.validated_data["name"],
            expires_at=serializer.validated_data["expires_at"],
        )
        return Response(
            {"token": key, "name": token.name, "expires_at": token.expires_at}, status=status.HTTP_201_CREATED
        )

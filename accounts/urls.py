"""Sign-in and sign-out under /accounts/, the signed-in workspace under /app/."""

from django.urls import path

from accounts.views import audit, sign_in, tokens, workspace

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", sign_in.SignInView.as_view(), name="login"),
    path("accounts/logout/", sign_in.SignOutView.as_view(), name="logout"),
    path("app/", workspace.workspace, name="workspace"),
    path("app/audit/", audit.audit_log, name="audit_log"),
    path("app/tokens/", tokens.api_tokens, name="api_tokens"),
    path("app/tokens/revoke-all/", tokens.revoke_all_api_tokens, name="revoke_all_api_tokens"),
    path("app/tokens/<uuid:uuid>/revoke/", tokens.revoke_api_token, name="revoke_api_token"),
]

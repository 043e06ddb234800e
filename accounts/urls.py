"""Sign-in and sign-out under /accounts/, the signed-in workspace under /app/."""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", views.SignOutView.as_view(), name="logout"),
    path("app/", views.workspace, name="workspace"),
    path("app/audit/", views.audit_log, name="audit_log"),
]

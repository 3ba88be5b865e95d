from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("password/change/", views.password_change, name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/done/", auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"), name="password_reset_done"
    ),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path(
        "reset/done/", auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"), name="password_reset_complete"
    ),
    path("lockouts/", views.lockouts, name="lockouts"),
    path("lockouts/<int:user_id>/unlock/", views.lockout_reset, name="unlock"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:invitation_id>/accept/", views.invitation_accept, name="invitation_accept"),
    path("invitations/<int:invitation_id>/decline/", views.invitation_decline, name="invitation_decline"),
]

community_patterns = [
    path("", views.community_list, name="list"),
    path("new/", views.community_create, name="create"),
    path("<int:community_id>/", views.community_detail, name="detail"),
    path("<int:community_id>/join/", views.community_join, name="join"),
    path("<int:community_id>/members/", views.community_member_add, name="member_add"),
    path("<int:community_id>/residents/", views.resident_find, name="resident_find"),
]

organization_patterns = [
    path("", views.organization_list, name="list"),
    path("new/", views.organization_create, name="create"),
    path("<int:organization_id>/verify/", views.organization_verify, name="verify"),
    path("<int:organization_id>/suspend/", views.organization_suspend, name="suspend"),
    path("<int:organization_id>/members/", views.organization_member_add, name="member_add"),
    path("<int:organization_id>/contact/", views.organization_contact, name="contact"),
]

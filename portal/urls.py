from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .directory import DirectoryAuthenticationForm

admin.site.site_header = "數位學習行政管理平台"
admin.site.site_title = "數位學習行政管理平台"
admin.site.index_title = "人事人員管理"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/", auth_views.LoginView.as_view(authentication_form=DirectoryAuthenticationForm), name="login"
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Everyone signed in changes their own password with Django's views (reset by e-mail: issue 14).
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # Password reset by e-mail, and the set-password link of a new account's invitation.
    path("accounts/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"
    ),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("accounts/notices/", views.notice_preferences, name="notice-preferences"),
    path("accounts/manage/", views.account_list, name="accounts"),
    path("accounts/manage/<int:pk>/", views.account_detail, name="account"),
    path("people/", views.employee_list, name="employee-list"),
    path("imports/new/", views.import_new, name="import-new"),
    path("imports/templates/", views.import_templates, name="import-templates"),
    path("imports/templates/<slug:kind>.<str:fmt>", views.import_template, name="import-template"),
    path("imports/<int:pk>/", views.import_batch_detail, name="import-batch"),
    path("imports/<int:pk>/apply/", views.import_apply, name="import-apply"),
    path("documents/", views.document_list, name="documents"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/download/", views.document_download, name="document-download"),
    path("programs/", include("programs.urls")),
    path("leave/", include("leave.urls")),
    path("incentives/", include("incentives.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

from django.urls import path

from . import views

app_name = "programs"
urlpatterns = [
    path("", views.plan_list, name="plans"),
    path("plan/<slug:slug>/", views.plan_detail, name="plan"),
    path("plan/<slug:slug>/plan.pdf", views.plan_pdf, name="plan-pdf"),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/<int:pk>/nominate/", views.nominate, name="nominate"),
    path("nominations/", views.nomination_list, name="nominations"),
    path("camp/<int:pk>/", views.camp, name="camp"),
    path("mentoring/<int:pk>/", views.mentoring, name="mentoring"),
    path("mentoring/mine/", views.my_mentoring, name="my-mentoring"),
    path("proposals/", views.proposal_list, name="proposals"),
    path("entries/", views.entry_list, name="entries"),
    path("proposals/new/<int:activity_pk>/", views.proposal_edit, name="proposal-new"),
    path("proposals/review/", views.proposal_review, name="proposal-review"),
    path("proposals/<int:pk>/", views.proposal_edit, name="proposal"),
    path("proposals/<int:pk>/decide/", views.proposal_decide, name="proposal-decide"),
    path("proposals/<int:pk>/form.pdf", views.proposal_pdf, name="proposal-pdf"),
]

from django.urls import path

from . import participation_views, views

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
    path("talents/", participation_views.talent_list, name="talent-list"),
    path("talents/<int:pk>/", participation_views.talent_registry, name="talents"),
    path("talents/<int:pk>/select/", participation_views.talent_select, name="talent-select"),
    path("talents/<int:pk>/remove/<int:teacher_pk>/", participation_views.talent_remove, name="talent-remove"),
    path("showcases/", participation_views.showcase_list, name="showcase-list"),
    path("showcases/new/", participation_views.showcase_edit, name="showcase-new"),
    path("showcases/<int:pk>/", participation_views.showcase, name="showcase"),
    path("showcases/<int:pk>/edit/", participation_views.showcase_edit, name="showcase-edit"),
    path(
        "showcases/<int:pk>/cancel/<int:registration_pk>/", participation_views.showcase_cancel, name="showcase-cancel"
    ),
    path("showcases/<int:pk>/signin.pdf", participation_views.showcase_signin, name="showcase-signin"),
    path("reflections/mine/", participation_views.my_reflections, name="my-reflections"),
    path("reflections/", participation_views.reflection_list, name="reflections"),
    path("reading-bids/", participation_views.reading_bid_list, name="reading-bids"),
    path("reading-bids/new/<int:activity_pk>/", participation_views.reading_bid_edit, name="reading-bid-new"),
    path("reading-bids/<int:pk>/", participation_views.reading_bid_edit, name="reading-bid"),
    path("reading-bids/<int:pk>/decide/", participation_views.reading_bid_decide, name="reading-bid-decide"),
    path("reading-bids/<int:pk>/form.pdf", participation_views.reading_bid_pdf, name="reading-bid-pdf"),
]

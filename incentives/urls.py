from django.urls import path

from . import views

app_name = "incentives"
urlpatterns = [
    path("me/", views.my_standing, name="me"),
    path("decisions/", views.decisions, name="decisions"),
    path("orders/roster.pdf", views.order_roster_pdf, name="order-roster"),
    path("plan/<slug:slug>/staff/", views.staff_standing, name="staff"),
    path("plan/<slug:slug>/rules/", views.plan_rules, name="rules"),
    path("plan/<slug:slug>/draws/", views.draws, name="draws"),
    path("plan/<slug:slug>/draws/<slug:season>/chances.txt", views.draw_chances, name="draw-chances"),
    path("plan/<slug:slug>/draws/<slug:season>/winners.pdf", views.draw_winners_pdf, name="draw-winners"),
    path("plan/<slug:slug>/rules/<slug:code>/", views.rule_edit, name="rule-edit"),
    path("plan/<slug:slug>/kpi/", views.kpi_dashboard, name="kpi"),
    path("plan/<slug:slug>/kpi.pdf", views.kpi_report_pdf, name="kpi-pdf"),
    path("plan/<slug:slug>/kpi/<slug:figure>/", views.kpi_people, name="kpi-people"),
    path("plan/<slug:slug>/roster.pdf", views.roster_pdf, name="roster"),
    path("plan/<slug:slug>/tally.pdf", views.tally_sheet_pdf, name="tally"),
]

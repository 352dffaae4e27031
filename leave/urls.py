from django.urls import path

from . import views

app_name = "leave"
urlpatterns = [
    path("", views.my_leave, name="mine"),
    path("applications/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("applications/<int:pk>/form.pdf", views.application_pdf, name="pdf"),
    path("approvals/", views.approvals, name="approvals"),
    path("reviews/", views.reviews, name="reviews"),
    path("registrations/", views.registrations, name="registrations"),
]

"""What communities publish and hear, one module per object: micro-service tasks (微服务, ``tasks``),
residents' needs (居民需求) with their triage (三事分流, ``needs``), consultations (协商议事,
``consultations``) and funded projects (``projects``); ``categories`` holds what they share. Every
model is importable from ``marketplace.models``.
"""

from marketplace.models.categories import NEVER_PUBLISHED_STATUSES, Category
from marketplace.models.consultations import Comment, Consultation, ConsultationCategory, ConsultationOption, Vote
from marketplace.models.needs import Need, NeedEvent
from marketplace.models.projects import Project, ProjectCriterion, ProjectStatusChange
from marketplace.models.tasks import Task, TaskSeries, TaskStatusChange

__all__ = [
    "Category",
    "NEVER_PUBLISHED_STATUSES",
    "TaskSeries",
    "Task",
    "TaskStatusChange",
    "Need",
    "NeedEvent",
    "ConsultationCategory",
    "Consultation",
    "ConsultationOption",
    "Vote",
    "Comment",
    "Project",
    "ProjectCriterion",
    "ProjectStatusChange",
]

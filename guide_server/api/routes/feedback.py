"""`POST /api/feedback`: ratings and corrections from visitors and curators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status

from guide_core.protocol import Feedback, FeedbackSaved
from guide_server.api.deps import get_services, require_visitor_token
from guide_server.api.services import GuideServices

router = APIRouter(prefix="/api/feedback", tags=["feedback"], dependencies=[Depends(require_visitor_token)])
Services = Annotated[GuideServices, Depends(get_services)]


@router.post("", status_code=status.HTTP_201_CREATED)
async def post_feedback(feedback: Feedback, services: Services) -> FeedbackSaved:
    """Store one rating, comment or correction of an exhibit's description or answer."""
    if services.current_catalogue().get(feedback.exhibit_id) is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"no exhibit {feedback.exhibit_id!r}: GET /api/exhibits lists the ids there are",
        )
    feedback_id = await services.feedback.add_async(feedback)
    return FeedbackSaved(feedback_id=feedback_id, request_id=feedback.request_id)

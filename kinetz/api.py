"""The ninja API root under /api/v1/ (OpenAPI schema at /api/v1/openapi.json)."""

from django.http import HttpRequest
from ninja import NinjaAPI

from kinetz.finder.api import router as search_router
from kinetz.interop.api import router as hsds_router

api = NinjaAPI(
    title="kinetz API",
    version="1",
    description="Read access to the offers of the Kommunales Integrationszentrum "
    "(Open Referral HSDS 3.0).",
    urls_namespace="api",
)


@api.get("/", summary="API version information")
def root(request: HttpRequest) -> dict[str, str]:
    return {"name": "kinetz", "api_version": "1", "hsds_version": "3.0"}


api.add_router("/", hsds_router)
api.add_router("/", search_router)

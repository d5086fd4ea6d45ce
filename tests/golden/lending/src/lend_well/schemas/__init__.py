"""Request and response bodies (Pydantic v2); input models reject unknown fields."""

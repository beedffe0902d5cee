"""Business cases: drafting, resources and expected benefits, the review lifecycle with the
commissioning body, and benefit measurement. Models, actions, pages and the JSON API."""

"""Annual plans with objectives and milestones, integrated care strategies, and projects spread
between ICPs. Models, actions and pages."""

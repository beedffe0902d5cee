"""Patients: the floor above `partnership`: the patient index, its latest risk, care relationships."""

"""Reads of the editors' review: agreement figures, the disagreement queue, one title's answers
side by side, tagger figures, the confusion report and planning figures."""

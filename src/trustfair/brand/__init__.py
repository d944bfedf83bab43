"""Brand protection: rights holders and their certified rights, the counterfeit feature
library (banks per brand), matching listings against it, and notice-and-takedown
complaints with their timers."""

"""areas.housing_options.tui"""

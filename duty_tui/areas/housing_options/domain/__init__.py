"""areas.housing_options.domain"""

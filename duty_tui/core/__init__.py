"""The shared kernel: what every area stands on. It never imports an area (duty_tui.areas).."""

{{ staged_rows('web', 'event', ref('base_web__events')) }}

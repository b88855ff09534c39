/** Response bodies shaped like ParkWhiz v4 (HAL-style `_embedded` / `_links`, money as `{"USD": "…"}`). */

function numericOrString(id: string): number | string {
  return /^\d+$/.test(id) ? Number(id) : id;
}

export function parkwhizLocation(id: string): Record<string, unknown> {
  return {
    id: numericOrString(id),
    name: `Sandbox Garage ${id}`,
    address1: '123 W Sandbox St',
    city: 'Chicago',
    state: 'IL',
    postal_code: '60601',
    timezone: 'America/Chicago',
    entrances: [{ coordinates: [41.8857, -87.6225] }],
    _embedded: { 'pw:seller': { id: 4242, name: 'Sandbox Parking Co' } },
    _links: {
      self: { href: `/v4/locations/${id}` },
      'pw:quotes': { href: `/v4/quotes?q=location_id:${id}` },
    },
  };
}

/** Collections are bare JSON arrays (paged with `page` / `per_page`). */
export function parkwhizBookings(perPage: number): Record<string, unknown>[] {
  return Array.from({ length: perPage }, (_, i) => ({
    id: 9000 + i,
    start_time: '2025-01-15T08:00:00.000-06:00',
    end_time: '2025-01-15T17:00:00.000-06:00',
    price_paid: { USD: '17.22' },
    _embedded: { 'pw:location': { id: 1001 } },
    _links: { self: { href: `/v4/bookings/${9000 + i}` } },
  }));
}

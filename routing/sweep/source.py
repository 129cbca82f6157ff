"""Where a sweep's data comes from: the files every process that plans cases loads.

Kept apart from :mod:`routing.sweep.cluster` (Dask, distributed, Arrow) so that a
server can name its data source at start-up without importing them; the cluster
imports it from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from routing.catalogue.load import DEFAULT_AGREEMENTS, DEFAULT_FACILITIES
from routing.catalogue.platforms import DEFAULT_PLATFORMS
from routing.service import Services, load_services


@dataclass(frozen=True)
class DataSource:
    """The files a worker loads (the arguments of :func:`routing.service.load_services`):
    the commercial-port layer too when the server merged it.

    ``cache_dir`` ``None``: the worker's own default (``RELOS_CACHE_DIR``, else its user
    cache folder). ``numpy_hugepages`` as the server has it (``None``: numpy's own);
    ``kernel_threads``: a worker's threads for block products (1, the default: a sweep's
    parallelism is its worker processes, each on a core; see :mod:`routing.memory`)."""

    facilities: Path = DEFAULT_FACILITIES
    agreements: Path = DEFAULT_AGREEMENTS
    platforms: Path = DEFAULT_PLATFORMS
    sea_dir: Path | None = None
    cache_dir: Path | None = None
    commercial_ports: Path | None = None
    commercial_port_countries: tuple[str, ...] = ()
    commercial_port_services: tuple[str, ...] = ()
    numpy_hugepages: bool | None = None
    kernel_threads: int | None = 1

    def load(self) -> Services:
        """Load and validate the data, and load the sea graph from the cache."""
        return load_services(
            facilities=self.facilities,
            agreements=self.agreements,
            platforms=self.platforms,
            sea_dir=self.sea_dir,
            cache_dir=self.cache_dir,
            commercial_ports=self.commercial_ports,
            commercial_port_countries=self.commercial_port_countries,
            commercial_port_services=self.commercial_port_services,
            numpy_hugepages=self.numpy_hugepages,
            kernel_threads=self.kernel_threads,
        )

# Debian 12 packages az 2.45 (azure-cli) with azure-mgmt-authorization 3.0.0
# (python3-azure). az's role commands still read the old SDK's `.config` on
# the authorization operation groups, which 3.0.0 calls `._config`, so every
# `az role assignment ...` fails with "'RoleDefinitionsOperations' object has
# no attribute 'config'". Put this directory on PYTHONPATH to alias it:
#   PYTHONPATH=scripts/az-debian az role assignment list ...
# It changes nothing else, and nothing when the attribute already exists.
import importlib
import pkgutil

try:
    import azure.mgmt.authorization as _auth

    for _m in pkgutil.iter_modules(_auth.__path__):
        if not _m.name.startswith("v"):
            continue
        try:
            _ops = importlib.import_module(_auth.__name__ + "." + _m.name + ".operations")
        except ImportError:
            continue
        for _name in dir(_ops):
            _cls = getattr(_ops, _name)
            if isinstance(_cls, type) and _name.endswith("Operations") and not hasattr(_cls, "config"):
                _cls.config = property(lambda self: self._config)
except ImportError:
    pass

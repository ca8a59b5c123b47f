# The seed's usage example (uTuya.py docstring), line for line, against
# `ltuya sim`. Changed: the credentials (a simulated device), the added
# port= (the simulator is not on 6668) and the asterisks the docstring uses
# to mark optional arguments. Usage: micropython seed_example.py VERSION PORT ID
import sys

VERSION = float(sys.argv[1])  # the seed writes version=3.3
PORT = int(sys.argv[2])
ID = sys.argv[3]

from tuya import uTuya

# Initialize device connection
device = uTuya(
    ip="127.0.0.1",
    dev=ID,
    key="0123456789abcdef",
    version=VERSION,
    debug=True,
    port=PORT,
)

# Turn switch ON
device.turn_on()
device.set_dps(1, True)

# Turn switch OFF
device.turn_off()
device.set_dps(1, False)


# Get energy monitoring data
print(f"Voltage: {device.voltage} V")
print(f"Current: {device.current} A")
print(f"Power: {device.power} W")

# Check switch state
if device.is_on:
    print("Device is ON")

# Get all DPS values
dps = device.get_dps()
print(dps)

# Get specific DPS value
switch_state = device.get_dps(1)

# Set custom DPS value
device.set_dps(1, True)  # Turn on

# Print formatted status
device.print_status()

# Send heartbeat
device.heartbeat()

# Use keep_alive mode for multiple operations (automatic cleanup)
device_persistent = uTuya(
    ip="127.0.0.1",
    dev=ID,
    key="0123456789abcdef",
    keep_alive=True,  # Reuse socket connection
    version=VERSION,
    port=PORT,
)

# Multiple operations reuse the same socket
device_persistent.set_switch(True)
print(device_persistent.voltage)
device_persistent.heartbeat()

# Close persistent connection when done
device_persistent.close()

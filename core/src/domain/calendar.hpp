// The calendar is public (clv/calendar.hpp): front ends parse dates with it.
// This forwarding header keeps the private areas' includes working until they
// include clv/calendar.hpp themselves; new code includes that.
#pragma once

#include "clv/calendar.hpp"

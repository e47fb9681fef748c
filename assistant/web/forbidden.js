"use strict";
document.getElementById("switch").setAttribute("href", LA.loginUrl());

import Foundation

/// The service's WSDL 1.1, in SAP's conventions for RFC function modules: one namespace for
/// everything (urn:sap-com:document:sap:rfc:functions), unqualified children, tables as
/// TABLE_OF_<structure> of items, document/literal SOAP 1.1 and SOAP 1.2 bindings on one
/// endpoint, and WS-Policy elements a client must ignore.
func wsdlDocument(address: String) -> String {
    wsdlTemplate.replacingOccurrences(of: "{address}", with: address)
}

private let wsdlTemplate = #"""
<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions targetNamespace="urn:sap-com:document:sap:rfc:functions" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:http="http://schemas.xmlsoap.org/wsdl/http/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:sap-com:document:sap:rfc:functions" xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">
  <wsdl:documentation><sidl:sidl xmlns:sidl="http://www.sap.com/2007/03/sidl"/></wsdl:documentation>
  <wsp:UsingPolicy wsdl:required="true"/>
  <wsp:Policy wsu:Id="BN__binding"><wsp:ExactlyOne><wsp:All><sapattahnd:Enabled xmlns:sapattahnd="http://www.sap.com/710/features/attachment/">false</sapattahnd:Enabled></wsp:All></wsp:ExactlyOne></wsp:Policy>
  <wsdl:types>
    <xsd:schema attributeFormDefault="qualified" targetNamespace="urn:sap-com:document:sap:rfc:functions">
      <xsd:simpleType name="char1"><xsd:restriction base="xsd:string"><xsd:maxLength value="1"/></xsd:restriction></xsd:simpleType>
      <xsd:simpleType name="char2"><xsd:restriction base="xsd:string"><xsd:maxLength value="2"/></xsd:restriction></xsd:simpleType>
      <xsd:simpleType name="char10"><xsd:restriction base="xsd:string"><xsd:maxLength value="10"/></xsd:restriction></xsd:simpleType>
      <xsd:simpleType name="char12"><xsd:restriction base="xsd:string"><xsd:maxLength value="12"/></xsd:restriction></xsd:simpleType>
      <xsd:simpleType name="char20"><xsd:restriction base="xsd:string"><xsd:maxLength value="20"/></xsd:restriction></xsd:simpleType>
      <xsd:simpleType name="char30"><xsd:restriction base="xsd:string"><xsd:maxLength value="30"/></xsd:restriction></xsd:simpleType>
      <xsd:simpleType name="char32"><xsd:restriction base="xsd:string"><xsd:maxLength value="32"/></xsd:restriction></xsd:simpleType>
      <xsd:simpleType name="char40"><xsd:restriction base="xsd:string"><xsd:maxLength value="40"/></xsd:restriction></xsd:simpleType>
      <xsd:simpleType name="char42"><xsd:restriction base="xsd:string"><xsd:maxLength value="42"/></xsd:restriction></xsd:simpleType>
      <xsd:simpleType name="char50"><xsd:restriction base="xsd:string"><xsd:maxLength value="50"/></xsd:restriction></xsd:simpleType>
      <xsd:simpleType name="char80"><xsd:restriction base="xsd:string"><xsd:maxLength value="80"/></xsd:restriction></xsd:simpleType>
      <xsd:simpleType name="char132"><xsd:restriction base="xsd:string"><xsd:maxLength value="132"/></xsd:restriction></xsd:simpleType>
      <xsd:simpleType name="char220"><xsd:restriction base="xsd:string"><xsd:maxLength value="220"/></xsd:restriction></xsd:simpleType>
      <xsd:simpleType name="char241"><xsd:restriction base="xsd:string"><xsd:maxLength value="241"/></xsd:restriction></xsd:simpleType>
      <xsd:simpleType name="date10"><xsd:restriction base="xsd:string"><xsd:maxLength value="10"/><xsd:pattern value="\d\d\d\d-\d\d-\d\d"/></xsd:restriction></xsd:simpleType>
      <xsd:simpleType name="numeric3"><xsd:restriction base="xsd:string"><xsd:maxLength value="3"/><xsd:pattern value="\d*"/></xsd:restriction></xsd:simpleType>
      <xsd:simpleType name="numeric6"><xsd:restriction base="xsd:string"><xsd:maxLength value="6"/><xsd:pattern value="\d*"/></xsd:restriction></xsd:simpleType>
      <xsd:complexType name="BAPIRET2"><xsd:sequence><xsd:element name="TYPE" type="tns:char1" minOccurs="0"/><xsd:element name="ID" type="tns:char20" minOccurs="0"/><xsd:element name="NUMBER" type="tns:numeric3" minOccurs="0"/><xsd:element name="MESSAGE" type="tns:char220" minOccurs="0"/><xsd:element name="LOG_NO" type="tns:char20" minOccurs="0"/><xsd:element name="LOG_MSG_NO" type="tns:numeric6" minOccurs="0"/><xsd:element name="MESSAGE_V1" type="tns:char50" minOccurs="0"/><xsd:element name="MESSAGE_V2" type="tns:char50" minOccurs="0"/><xsd:element name="MESSAGE_V3" type="tns:char50" minOccurs="0"/><xsd:element name="MESSAGE_V4" type="tns:char50" minOccurs="0"/><xsd:element name="PARAMETER" type="tns:char32" minOccurs="0"/><xsd:element name="ROW" type="xsd:int" minOccurs="0"/><xsd:element name="FIELD" type="tns:char30" minOccurs="0"/><xsd:element name="SYSTEM" type="tns:char10" minOccurs="0"/></xsd:sequence></xsd:complexType>
      <xsd:complexType name="BAPIUSNAME"><xsd:sequence><xsd:element name="USERNAME" type="tns:char12" minOccurs="0"/><xsd:element name="FIRSTNAME" type="tns:char40" minOccurs="0"/><xsd:element name="LASTNAME" type="tns:char40" minOccurs="0"/><xsd:element name="FULLNAME" type="tns:char80" minOccurs="0"/></xsd:sequence></xsd:complexType>
      <xsd:complexType name="BAPIUSSRGE"><xsd:sequence><xsd:element name="PARAMETER" type="tns:char32" minOccurs="0"/><xsd:element name="FIELD" type="tns:char30" minOccurs="0"/><xsd:element name="SIGN" type="tns:char1" minOccurs="0"/><xsd:element name="OPTION" type="tns:char2" minOccurs="0"/><xsd:element name="LOW" type="tns:char132" minOccurs="0"/><xsd:element name="HIGH" type="tns:char132" minOccurs="0"/></xsd:sequence></xsd:complexType>
      <xsd:complexType name="BAPIADDR3"><xsd:sequence><xsd:element name="FIRSTNAME" type="tns:char40" minOccurs="0"/><xsd:element name="LASTNAME" type="tns:char40" minOccurs="0"/><xsd:element name="MIDDLENAME" type="tns:char40" minOccurs="0"/><xsd:element name="FULLNAME" type="tns:char80" minOccurs="0"/><xsd:element name="DEPARTMENT" type="tns:char40" minOccurs="0"/><xsd:element name="FUNCTION" type="tns:char40" minOccurs="0"/><xsd:element name="CITY" type="tns:char40" minOccurs="0"/><xsd:element name="TEL1_NUMBR" type="tns:char30" minOccurs="0"/><xsd:element name="E_MAIL" type="tns:char241" minOccurs="0"/></xsd:sequence></xsd:complexType>
      <xsd:complexType name="BAPIADDR3X"><xsd:sequence><xsd:element name="FIRSTNAME" type="tns:char1" minOccurs="0"/><xsd:element name="LASTNAME" type="tns:char1" minOccurs="0"/><xsd:element name="MIDDLENAME" type="tns:char1" minOccurs="0"/><xsd:element name="FULLNAME" type="tns:char1" minOccurs="0"/><xsd:element name="DEPARTMENT" type="tns:char1" minOccurs="0"/><xsd:element name="FUNCTION" type="tns:char1" minOccurs="0"/><xsd:element name="CITY" type="tns:char1" minOccurs="0"/><xsd:element name="TEL1_NUMBR" type="tns:char1" minOccurs="0"/><xsd:element name="E_MAIL" type="tns:char1" minOccurs="0"/></xsd:sequence></xsd:complexType>
      <xsd:complexType name="BAPILOGOND"><xsd:sequence><xsd:element name="GLTGV" type="tns:date10" minOccurs="0"/><xsd:element name="GLTGB" type="tns:date10" minOccurs="0"/><xsd:element name="USTYP" type="tns:char1" minOccurs="0"/><xsd:element name="CLASS" type="tns:char12" minOccurs="0"/></xsd:sequence></xsd:complexType>
      <xsd:complexType name="BAPILOGONX"><xsd:sequence><xsd:element name="GLTGV" type="tns:char1" minOccurs="0"/><xsd:element name="GLTGB" type="tns:char1" minOccurs="0"/><xsd:element name="USTYP" type="tns:char1" minOccurs="0"/><xsd:element name="CLASS" type="tns:char1" minOccurs="0"/></xsd:sequence></xsd:complexType>
      <xsd:complexType name="BAPIUSCOMP"><xsd:sequence><xsd:element name="COMPANY" type="tns:char42" minOccurs="0"/></xsd:sequence></xsd:complexType>
      <xsd:complexType name="BAPIUSCOMX"><xsd:sequence><xsd:element name="COMPANY" type="tns:char1" minOccurs="0"/></xsd:sequence></xsd:complexType>
      <xsd:complexType name="BAPIPWD"><xsd:sequence><xsd:element name="BAPIPWD" type="tns:char40" minOccurs="0"/></xsd:sequence></xsd:complexType>
      <xsd:complexType name="BAPIPWDX"><xsd:sequence><xsd:element name="BAPIPWD" type="tns:char1" minOccurs="0"/></xsd:sequence></xsd:complexType>
      <xsd:complexType name="BAPISLOCKD"><xsd:sequence><xsd:element name="WRNG_LOGON" type="tns:char1" minOccurs="0"/><xsd:element name="LOCAL_LOCK" type="tns:char1" minOccurs="0"/><xsd:element name="GLOB_LOCK" type="tns:char1" minOccurs="0"/><xsd:element name="NO_USER_PW" type="tns:char1" minOccurs="0"/></xsd:sequence></xsd:complexType>
      <xsd:complexType name="BAPIAGR"><xsd:sequence><xsd:element name="AGR_NAME" type="tns:char30" minOccurs="0"/><xsd:element name="FROM_DAT" type="tns:date10" minOccurs="0"/><xsd:element name="TO_DAT" type="tns:date10" minOccurs="0"/><xsd:element name="AGR_TEXT" type="tns:char80" minOccurs="0"/><xsd:element name="ORG_FLAG" type="tns:char1" minOccurs="0"/></xsd:sequence></xsd:complexType>
      <xsd:complexType name="TABLE_OF_BAPIRET2"><xsd:sequence><xsd:element name="item" type="tns:BAPIRET2" minOccurs="0" maxOccurs="unbounded"/></xsd:sequence></xsd:complexType>
      <xsd:complexType name="TABLE_OF_BAPIUSNAME"><xsd:sequence><xsd:element name="item" type="tns:BAPIUSNAME" minOccurs="0" maxOccurs="unbounded"/></xsd:sequence></xsd:complexType>
      <xsd:complexType name="TABLE_OF_BAPIUSSRGE"><xsd:sequence><xsd:element name="item" type="tns:BAPIUSSRGE" minOccurs="0" maxOccurs="unbounded"/></xsd:sequence></xsd:complexType>
      <xsd:complexType name="TABLE_OF_BAPIAGR"><xsd:sequence><xsd:element name="item" type="tns:BAPIAGR" minOccurs="0" maxOccurs="unbounded"/></xsd:sequence></xsd:complexType>
      <xsd:element name="BAPI_USER_GETLIST"><xsd:complexType><xsd:sequence><xsd:element name="MAX_ROWS" type="xsd:int" minOccurs="0"/><xsd:element name="WITH_USERNAME" type="tns:char1" minOccurs="0"/><xsd:element name="SELECTION_RANGE" type="tns:TABLE_OF_BAPIUSSRGE" minOccurs="0"/><xsd:element name="USERLIST" type="tns:TABLE_OF_BAPIUSNAME" minOccurs="0"/><xsd:element name="RETURN" type="tns:TABLE_OF_BAPIRET2" minOccurs="0"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="BAPI_USER_GETLISTResponse"><xsd:complexType><xsd:sequence><xsd:element name="ROWS" type="xsd:int"/><xsd:element name="SELECTION_RANGE" type="tns:TABLE_OF_BAPIUSSRGE" minOccurs="0"/><xsd:element name="USERLIST" type="tns:TABLE_OF_BAPIUSNAME" minOccurs="0"/><xsd:element name="RETURN" type="tns:TABLE_OF_BAPIRET2" minOccurs="0"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="BAPI_USER_GET_DETAIL"><xsd:complexType><xsd:sequence><xsd:element name="USERNAME" type="tns:char12"/><xsd:element name="CACHE_RESULTS" type="tns:char1" minOccurs="0"/><xsd:element name="ACTIVITYGROUPS" type="tns:TABLE_OF_BAPIAGR" minOccurs="0"/><xsd:element name="RETURN" type="tns:TABLE_OF_BAPIRET2" minOccurs="0"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="BAPI_USER_GET_DETAILResponse"><xsd:complexType><xsd:sequence><xsd:element name="ADDRESS" type="tns:BAPIADDR3"/><xsd:element name="LOGONDATA" type="tns:BAPILOGOND"/><xsd:element name="COMPANY" type="tns:BAPIUSCOMP"/><xsd:element name="ISLOCKED" type="tns:BAPISLOCKD"/><xsd:element name="ACTIVITYGROUPS" type="tns:TABLE_OF_BAPIAGR" minOccurs="0"/><xsd:element name="RETURN" type="tns:TABLE_OF_BAPIRET2"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="BAPI_USER_CREATE1"><xsd:complexType><xsd:sequence><xsd:element name="USERNAME" type="tns:char12"/><xsd:element name="LOGONDATA" type="tns:BAPILOGOND" minOccurs="0"/><xsd:element name="PASSWORD" type="tns:BAPIPWD" minOccurs="0"/><xsd:element name="ADDRESS" type="tns:BAPIADDR3"/><xsd:element name="COMPANY" type="tns:BAPIUSCOMP" minOccurs="0"/><xsd:element name="SELF_REGISTER" type="tns:char1" minOccurs="0"/><xsd:element name="GENERATE_PWD" type="tns:char1" minOccurs="0"/><xsd:element name="RETURN" type="tns:TABLE_OF_BAPIRET2" minOccurs="0"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="BAPI_USER_CREATE1Response"><xsd:complexType><xsd:sequence><xsd:element name="GENERATED_PASSWORD" type="tns:char40" minOccurs="0"/><xsd:element name="RETURN" type="tns:TABLE_OF_BAPIRET2"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="BAPI_USER_CHANGE"><xsd:complexType><xsd:sequence><xsd:element name="USERNAME" type="tns:char12"/><xsd:element name="LOGONDATA" type="tns:BAPILOGOND" minOccurs="0"/><xsd:element name="LOGONDATAX" type="tns:BAPILOGONX" minOccurs="0"/><xsd:element name="PASSWORD" type="tns:BAPIPWD" minOccurs="0"/><xsd:element name="PASSWORDX" type="tns:BAPIPWDX" minOccurs="0"/><xsd:element name="ADDRESS" type="tns:BAPIADDR3" minOccurs="0"/><xsd:element name="ADDRESSX" type="tns:BAPIADDR3X" minOccurs="0"/><xsd:element name="COMPANY" type="tns:BAPIUSCOMP" minOccurs="0"/><xsd:element name="COMPANYX" type="tns:BAPIUSCOMX" minOccurs="0"/><xsd:element name="RETURN" type="tns:TABLE_OF_BAPIRET2" minOccurs="0"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="BAPI_USER_CHANGEResponse"><xsd:complexType><xsd:sequence><xsd:element name="RETURN" type="tns:TABLE_OF_BAPIRET2"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="BAPI_USER_DELETE"><xsd:complexType><xsd:sequence><xsd:element name="USERNAME" type="tns:char12"/><xsd:element name="RETURN" type="tns:TABLE_OF_BAPIRET2" minOccurs="0"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="BAPI_USER_DELETEResponse"><xsd:complexType><xsd:sequence><xsd:element name="RETURN" type="tns:TABLE_OF_BAPIRET2"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="BAPI_USER_LOCK"><xsd:complexType><xsd:sequence><xsd:element name="USERNAME" type="tns:char12"/><xsd:element name="RETURN" type="tns:TABLE_OF_BAPIRET2" minOccurs="0"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="BAPI_USER_LOCKResponse"><xsd:complexType><xsd:sequence><xsd:element name="RETURN" type="tns:TABLE_OF_BAPIRET2"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="BAPI_USER_UNLOCK"><xsd:complexType><xsd:sequence><xsd:element name="USERNAME" type="tns:char12"/><xsd:element name="RETURN" type="tns:TABLE_OF_BAPIRET2" minOccurs="0"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="BAPI_USER_UNLOCKResponse"><xsd:complexType><xsd:sequence><xsd:element name="RETURN" type="tns:TABLE_OF_BAPIRET2"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="BAPI_USER_ACTGROUPS_ASSIGN"><xsd:complexType><xsd:sequence><xsd:element name="USERNAME" type="tns:char12"/><xsd:element name="ACTIVITYGROUPS" type="tns:TABLE_OF_BAPIAGR"/><xsd:element name="RETURN" type="tns:TABLE_OF_BAPIRET2" minOccurs="0"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="BAPI_USER_ACTGROUPS_ASSIGNResponse"><xsd:complexType><xsd:sequence><xsd:element name="ACTIVITYGROUPS" type="tns:TABLE_OF_BAPIAGR"/><xsd:element name="RETURN" type="tns:TABLE_OF_BAPIRET2"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="BAPI_TRANSACTION_COMMIT"><xsd:complexType><xsd:sequence><xsd:element name="WAIT" type="tns:char1" minOccurs="0"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="BAPI_TRANSACTION_COMMITResponse"><xsd:complexType><xsd:sequence><xsd:element name="RETURN" type="tns:BAPIRET2"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="BAPI_TRANSACTION_ROLLBACK"><xsd:complexType><xsd:sequence></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="BAPI_TRANSACTION_ROLLBACKResponse"><xsd:complexType><xsd:sequence><xsd:element name="RETURN" type="tns:TABLE_OF_BAPIRET2" minOccurs="0"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="SUSR_LOGIN_CHECK_RFC"><xsd:complexType><xsd:sequence><xsd:element name="BNAME" type="tns:char12"/><xsd:element name="PASSWORD" type="tns:char40"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="SUSR_LOGIN_CHECK_RFCResponse"><xsd:complexType><xsd:sequence><xsd:element name="RETURN" type="tns:TABLE_OF_BAPIRET2" minOccurs="0"/></xsd:sequence></xsd:complexType></xsd:element>
    </xsd:schema>
  </wsdl:types>
  <wsdl:message name="BAPI_USER_GETLIST"><wsdl:part name="parameters" element="tns:BAPI_USER_GETLIST"/></wsdl:message>
  <wsdl:message name="BAPI_USER_GETLISTResponse"><wsdl:part name="parameter" element="tns:BAPI_USER_GETLISTResponse"/></wsdl:message>
  <wsdl:message name="BAPI_USER_GET_DETAIL"><wsdl:part name="parameters" element="tns:BAPI_USER_GET_DETAIL"/></wsdl:message>
  <wsdl:message name="BAPI_USER_GET_DETAILResponse"><wsdl:part name="parameter" element="tns:BAPI_USER_GET_DETAILResponse"/></wsdl:message>
  <wsdl:message name="BAPI_USER_CREATE1"><wsdl:part name="parameters" element="tns:BAPI_USER_CREATE1"/></wsdl:message>
  <wsdl:message name="BAPI_USER_CREATE1Response"><wsdl:part name="parameter" element="tns:BAPI_USER_CREATE1Response"/></wsdl:message>
  <wsdl:message name="BAPI_USER_CHANGE"><wsdl:part name="parameters" element="tns:BAPI_USER_CHANGE"/></wsdl:message>
  <wsdl:message name="BAPI_USER_CHANGEResponse"><wsdl:part name="parameter" element="tns:BAPI_USER_CHANGEResponse"/></wsdl:message>
  <wsdl:message name="BAPI_USER_DELETE"><wsdl:part name="parameters" element="tns:BAPI_USER_DELETE"/></wsdl:message>
  <wsdl:message name="BAPI_USER_DELETEResponse"><wsdl:part name="parameter" element="tns:BAPI_USER_DELETEResponse"/></wsdl:message>
  <wsdl:message name="BAPI_USER_LOCK"><wsdl:part name="parameters" element="tns:BAPI_USER_LOCK"/></wsdl:message>
  <wsdl:message name="BAPI_USER_LOCKResponse"><wsdl:part name="parameter" element="tns:BAPI_USER_LOCKResponse"/></wsdl:message>
  <wsdl:message name="BAPI_USER_UNLOCK"><wsdl:part name="parameters" element="tns:BAPI_USER_UNLOCK"/></wsdl:message>
  <wsdl:message name="BAPI_USER_UNLOCKResponse"><wsdl:part name="parameter" element="tns:BAPI_USER_UNLOCKResponse"/></wsdl:message>
  <wsdl:message name="BAPI_USER_ACTGROUPS_ASSIGN"><wsdl:part name="parameters" element="tns:BAPI_USER_ACTGROUPS_ASSIGN"/></wsdl:message>
  <wsdl:message name="BAPI_USER_ACTGROUPS_ASSIGNResponse"><wsdl:part name="parameter" element="tns:BAPI_USER_ACTGROUPS_ASSIGNResponse"/></wsdl:message>
  <wsdl:message name="BAPI_TRANSACTION_COMMIT"><wsdl:part name="parameters" element="tns:BAPI_TRANSACTION_COMMIT"/></wsdl:message>
  <wsdl:message name="BAPI_TRANSACTION_COMMITResponse"><wsdl:part name="parameter" element="tns:BAPI_TRANSACTION_COMMITResponse"/></wsdl:message>
  <wsdl:message name="BAPI_TRANSACTION_ROLLBACK"><wsdl:part name="parameters" element="tns:BAPI_TRANSACTION_ROLLBACK"/></wsdl:message>
  <wsdl:message name="BAPI_TRANSACTION_ROLLBACKResponse"><wsdl:part name="parameter" element="tns:BAPI_TRANSACTION_ROLLBACKResponse"/></wsdl:message>
  <wsdl:message name="SUSR_LOGIN_CHECK_RFC"><wsdl:part name="parameters" element="tns:SUSR_LOGIN_CHECK_RFC"/></wsdl:message>
  <wsdl:message name="SUSR_LOGIN_CHECK_RFCResponse"><wsdl:part name="parameter" element="tns:SUSR_LOGIN_CHECK_RFCResponse"/></wsdl:message>
  <wsdl:portType name="ZUSERS">
    <wsdl:operation name="BAPI_USER_GETLIST"><wsdl:input message="tns:BAPI_USER_GETLIST"/><wsdl:output message="tns:BAPI_USER_GETLISTResponse"/></wsdl:operation>
    <wsdl:operation name="BAPI_USER_GET_DETAIL"><wsdl:input message="tns:BAPI_USER_GET_DETAIL"/><wsdl:output message="tns:BAPI_USER_GET_DETAILResponse"/></wsdl:operation>
    <wsdl:operation name="BAPI_USER_CREATE1"><wsdl:input message="tns:BAPI_USER_CREATE1"/><wsdl:output message="tns:BAPI_USER_CREATE1Response"/></wsdl:operation>
    <wsdl:operation name="BAPI_USER_CHANGE"><wsdl:input message="tns:BAPI_USER_CHANGE"/><wsdl:output message="tns:BAPI_USER_CHANGEResponse"/></wsdl:operation>
    <wsdl:operation name="BAPI_USER_DELETE"><wsdl:input message="tns:BAPI_USER_DELETE"/><wsdl:output message="tns:BAPI_USER_DELETEResponse"/></wsdl:operation>
    <wsdl:operation name="BAPI_USER_LOCK"><wsdl:input message="tns:BAPI_USER_LOCK"/><wsdl:output message="tns:BAPI_USER_LOCKResponse"/></wsdl:operation>
    <wsdl:operation name="BAPI_USER_UNLOCK"><wsdl:input message="tns:BAPI_USER_UNLOCK"/><wsdl:output message="tns:BAPI_USER_UNLOCKResponse"/></wsdl:operation>
    <wsdl:operation name="BAPI_USER_ACTGROUPS_ASSIGN"><wsdl:input message="tns:BAPI_USER_ACTGROUPS_ASSIGN"/><wsdl:output message="tns:BAPI_USER_ACTGROUPS_ASSIGNResponse"/></wsdl:operation>
    <wsdl:operation name="BAPI_TRANSACTION_COMMIT"><wsdl:input message="tns:BAPI_TRANSACTION_COMMIT"/><wsdl:output message="tns:BAPI_TRANSACTION_COMMITResponse"/></wsdl:operation>
    <wsdl:operation name="BAPI_TRANSACTION_ROLLBACK"><wsdl:input message="tns:BAPI_TRANSACTION_ROLLBACK"/><wsdl:output message="tns:BAPI_TRANSACTION_ROLLBACKResponse"/></wsdl:operation>
    <wsdl:operation name="SUSR_LOGIN_CHECK_RFC"><wsdl:input message="tns:SUSR_LOGIN_CHECK_RFC"/><wsdl:output message="tns:SUSR_LOGIN_CHECK_RFCResponse"/></wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="zusers_binding" type="tns:ZUSERS">
    <wsp:Policy><wsp:PolicyReference URI="#BN__binding"/></wsp:Policy>
    <soap:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>
    <wsdl:operation name="BAPI_USER_GETLIST"><soap:operation soapAction="urn:sap-com:document:sap:rfc:functions:ZUSERS:BAPI_USER_GETLISTRequest" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
    <wsdl:operation name="BAPI_USER_GET_DETAIL"><soap:operation soapAction="urn:sap-com:document:sap:rfc:functions:ZUSERS:BAPI_USER_GET_DETAILRequest" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
    <wsdl:operation name="BAPI_USER_CREATE1"><soap:operation soapAction="urn:sap-com:document:sap:rfc:functions:ZUSERS:BAPI_USER_CREATE1Request" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
    <wsdl:operation name="BAPI_USER_CHANGE"><soap:operation soapAction="urn:sap-com:document:sap:rfc:functions:ZUSERS:BAPI_USER_CHANGERequest" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
    <wsdl:operation name="BAPI_USER_DELETE"><soap:operation soapAction="urn:sap-com:document:sap:rfc:functions:ZUSERS:BAPI_USER_DELETERequest" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
    <wsdl:operation name="BAPI_USER_LOCK"><soap:operation soapAction="urn:sap-com:document:sap:rfc:functions:ZUSERS:BAPI_USER_LOCKRequest" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
    <wsdl:operation name="BAPI_USER_UNLOCK"><soap:operation soapAction="urn:sap-com:document:sap:rfc:functions:ZUSERS:BAPI_USER_UNLOCKRequest" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
    <wsdl:operation name="BAPI_USER_ACTGROUPS_ASSIGN"><soap:operation soapAction="urn:sap-com:document:sap:rfc:functions:ZUSERS:BAPI_USER_ACTGROUPS_ASSIGNRequest" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
    <wsdl:operation name="BAPI_TRANSACTION_COMMIT"><soap:operation soapAction="urn:sap-com:document:sap:rfc:functions:ZUSERS:BAPI_TRANSACTION_COMMITRequest" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
    <wsdl:operation name="BAPI_TRANSACTION_ROLLBACK"><soap:operation soapAction="urn:sap-com:document:sap:rfc:functions:ZUSERS:BAPI_TRANSACTION_ROLLBACKRequest" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
    <wsdl:operation name="SUSR_LOGIN_CHECK_RFC"><soap:operation soapAction="urn:sap-com:document:sap:rfc:functions:ZUSERS:SUSR_LOGIN_CHECK_RFCRequest" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
  </wsdl:binding>
  <wsdl:binding name="zusers_binding_soap12" type="tns:ZUSERS">
    <wsp:Policy><wsp:PolicyReference URI="#BN__binding"/></wsp:Policy>
    <soap12:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>
    <wsdl:operation name="BAPI_USER_GETLIST"><soap12:operation soapAction="urn:sap-com:document:sap:rfc:functions:ZUSERS:BAPI_USER_GETLISTRequest" style="document"/><wsdl:input><soap12:body use="literal"/></wsdl:input><wsdl:output><soap12:body use="literal"/></wsdl:output></wsdl:operation>
    <wsdl:operation name="BAPI_USER_GET_DETAIL"><soap12:operation soapAction="urn:sap-com:document:sap:rfc:functions:ZUSERS:BAPI_USER_GET_DETAILRequest" style="document"/><wsdl:input><soap12:body use="literal"/></wsdl:input><wsdl:output><soap12:body use="literal"/></wsdl:output></wsdl:operation>
    <wsdl:operation name="BAPI_USER_CREATE1"><soap12:operation soapAction="urn:sap-com:document:sap:rfc:functions:ZUSERS:BAPI_USER_CREATE1Request" style="document"/><wsdl:input><soap12:body use="literal"/></wsdl:input><wsdl:output><soap12:body use="literal"/></wsdl:output></wsdl:operation>
    <wsdl:operation name="BAPI_USER_CHANGE"><soap12:operation soapAction="urn:sap-com:document:sap:rfc:functions:ZUSERS:BAPI_USER_CHANGERequest" style="document"/><wsdl:input><soap12:body use="literal"/></wsdl:input><wsdl:output><soap12:body use="literal"/></wsdl:output></wsdl:operation>
    <wsdl:operation name="BAPI_USER_DELETE"><soap12:operation soapAction="urn:sap-com:document:sap:rfc:functions:ZUSERS:BAPI_USER_DELETERequest" style="document"/><wsdl:input><soap12:body use="literal"/></wsdl:input><wsdl:output><soap12:body use="literal"/></wsdl:output></wsdl:operation>
    <wsdl:operation name="BAPI_USER_LOCK"><soap12:operation soapAction="urn:sap-com:document:sap:rfc:functions:ZUSERS:BAPI_USER_LOCKRequest" style="document"/><wsdl:input><soap12:body use="literal"/></wsdl:input><wsdl:output><soap12:body use="literal"/></wsdl:output></wsdl:operation>
    <wsdl:operation name="BAPI_USER_UNLOCK"><soap12:operation soapAction="urn:sap-com:document:sap:rfc:functions:ZUSERS:BAPI_USER_UNLOCKRequest" style="document"/><wsdl:input><soap12:body use="literal"/></wsdl:input><wsdl:output><soap12:body use="literal"/></wsdl:output></wsdl:operation>
    <wsdl:operation name="BAPI_USER_ACTGROUPS_ASSIGN"><soap12:operation soapAction="urn:sap-com:document:sap:rfc:functions:ZUSERS:BAPI_USER_ACTGROUPS_ASSIGNRequest" style="document"/><wsdl:input><soap12:body use="literal"/></wsdl:input><wsdl:output><soap12:body use="literal"/></wsdl:output></wsdl:operation>
    <wsdl:operation name="BAPI_TRANSACTION_COMMIT"><soap12:operation soapAction="urn:sap-com:document:sap:rfc:functions:ZUSERS:BAPI_TRANSACTION_COMMITRequest" style="document"/><wsdl:input><soap12:body use="literal"/></wsdl:input><wsdl:output><soap12:body use="literal"/></wsdl:output></wsdl:operation>
    <wsdl:operation name="BAPI_TRANSACTION_ROLLBACK"><soap12:operation soapAction="urn:sap-com:document:sap:rfc:functions:ZUSERS:BAPI_TRANSACTION_ROLLBACKRequest" style="document"/><wsdl:input><soap12:body use="literal"/></wsdl:input><wsdl:output><soap12:body use="literal"/></wsdl:output></wsdl:operation>
    <wsdl:operation name="SUSR_LOGIN_CHECK_RFC"><soap12:operation soapAction="urn:sap-com:document:sap:rfc:functions:ZUSERS:SUSR_LOGIN_CHECK_RFCRequest" style="document"/><wsdl:input><soap12:body use="literal"/></wsdl:input><wsdl:output><soap12:body use="literal"/></wsdl:output></wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="zusers">
    <wsdl:port name="zusers_binding" binding="tns:zusers_binding"><soap:address location="{address}"/></wsdl:port>
    <wsdl:port name="zusers_binding_soap12" binding="tns:zusers_binding_soap12"><soap12:address location="{address}"/></wsdl:port>
  </wsdl:service>
</wsdl:definitions>
"""#
